"""The area tree: province → city → county → town → village → grid, keyed by division code."""

from django.db import models
from django.db.models import Q

from .choices import LEVEL_RANK, PREFIX_LENGTH, AreaLevel


class AreaQuerySet(models.QuerySet):
    def subtree(self, area):
        """The area and everything under it: an indexed prefix match on the code."""
        return self.filter(code__startswith=area.prefix)

    def subtree_of_any(self, areas):
        """Everything under any of the given areas."""
        condition = Q(pk__in=[])
        for area in areas:
            condition |= Q(code__startswith=area.prefix)
        return self.filter(condition)


class Area(models.Model):
    """One node of the administrative tree; its code nests inside its parent's code."""

    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # A later edition of the national list dropped the code (撤并); kept for the cases under it.
    retired = models.BooleanField("已撤并", default=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [
            models.Index(
                fields=["code"], name="area_code_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "code"], name="area_level_code"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @staticmethod
    def prefix_of(code: str, level: str) -> str:
        """The significant digits of a code: what every descendant's code starts with."""
        return code[: PREFIX_LENGTH[level]]

    @property
    def prefix(self):
        return Area.prefix_of(self.code, self.level)

    @property
    def rank(self):
        return LEVEL_RANK[self.level]

    def is_under(self, other):
        """True when this area is `other` or lies in its subtree."""
        return self.code.startswith(other.prefix) and self.rank >= other.rank

    def ancestor_codes(self):
        """Codes of the ancestors, root first, derived from the code itself."""
        from .choices import CODE_LENGTH, LEVEL_ORDER

        codes = []
        for level in LEVEL_ORDER[: self.rank]:
            digits = self.code[: PREFIX_LENGTH[level]]
            codes.append(digits.ljust(CODE_LENGTH[level], "0"))
        return codes

    def ancestors(self):
        """Ancestor areas, root first, in one query."""
        codes = self.ancestor_codes()
        by_code = {a.code: a for a in Area.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def ancestor_ids_by_level(self):
        """{level: area id} for this area and its ancestors (used to copy scope onto rows)."""
        chain = self.ancestors() + [self]
        return {a.level: a.id for a in chain}
