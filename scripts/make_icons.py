"""Draw the installable app's icons (static/icons/*.png): a blue tile with 调 in white.
Run once when the design changes; the PNG files are committed."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "mediation" / "fonts" / "wqy-microhei.ttc"
BRAND = (31, 95, 168)


def icon(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), BRAND if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if not maskable:
        draw.rounded_rectangle([0, 0, size - 1, size - 1], radius=size // 6, fill=BRAND)
    # A maskable icon keeps its mark inside the central 80% safe zone.
    font = ImageFont.truetype(str(FONT), int(size * (0.5 if maskable else 0.62)))
    draw.text((size / 2, size / 2), "调", font=font, fill="white", anchor="mm")
    return image


def main():
    out = ROOT / "static" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size, maskable=False).save(out / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(out / "icon-maskable-512.png", optimize=True)
    icon(180, maskable=True).convert("RGB").save(out / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
