"""A signature drawn on the phone's screen (人民调解法 art. 29: the parties and the mediator
sign the written agreement): a small PNG, checked here before it is stored, whatever the
browser sent. A leaf: Pillow and the errors only."""

import base64
import binascii
from io import BytesIO

from PIL import Image, UnidentifiedImageError

from config.errors import InvalidInput

MAX_BYTES = 200 * 1024
MAX_SIDE = 2000
MIN_WIDTH, MIN_HEIGHT = 60, 30
# A signature has some ink: at least this many dark pixels on white.
MIN_INK_PIXELS = 40
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_URL_PREFIX = "data:image/png;base64,"


def _refuse(field: str, message: str):
    raise InvalidInput(message, fields={field: [message]})


def decode_signature(value, *, field: str) -> bytes:
    """The PNG bytes of a signature sent as a `data:image/png;base64,…` URL, plain base64 or
    bytes; a 400 naming `field` when it is not a small, non-blank PNG image."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("data:"):
            if not text.startswith(DATA_URL_PREFIX):
                _refuse(field, "签名须为 PNG 图像。")
            text = text[len(DATA_URL_PREFIX) :]
        if len(text) > MAX_BYTES * 4 // 3 + 8:
            _refuse(field, f"签名图像不能超过 {MAX_BYTES // 1024} KB。")
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            _refuse(field, "签名图像编码无效。")
    elif isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
    else:
        _refuse(field, "签名图像无效。")
    return check_png(data, field=field)


def check_png(data: bytes, *, field: str) -> bytes:
    """`data` itself when it is a PNG of a sensible size with some ink on it."""
    if not data:
        _refuse(field, "签名图像为空。")
    if len(data) > MAX_BYTES:
        _refuse(field, f"签名图像不能超过 {MAX_BYTES // 1024} KB。")
    if not data.startswith(PNG_MAGIC):
        _refuse(field, "签名须为 PNG 图像。")
    try:
        with Image.open(BytesIO(data)) as probe:
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE:
                _refuse(field, f"签名图像尺寸不能超过 {MAX_SIDE} 像素。")
            if width < MIN_WIDTH or height < MIN_HEIGHT:
                _refuse(field, "签名图像太小。")
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _refuse(field, "签名图像无法识别。")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    gray = Image.alpha_composite(paper, rgba).convert("L")
    ink = sum(gray.histogram()[:160])
    if ink < MIN_INK_PIXELS:
        _refuse(field, "签名为空白，请在框内签名。")
    return data


def data_url(data) -> str:
    """The stored PNG as a data URL for an <img> (CSP allows data: images)."""
    return DATA_URL_PREFIX + base64.b64encode(bytes(data)).decode("ascii")
