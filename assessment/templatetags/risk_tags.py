"""`{% village_risk_panel area %}`: the dashboard's panel of village risk ratings."""

from django import template

from assessment import risk

register = template.Library()


@register.inclusion_tag("assessment/_village_risk_panel.html")
def village_risk_panel(area):
    """Counts of the red, yellow and green villages of a town or county this month, and the red
    ones listed (nothing for a village's dashboard)."""
    return {"panel": risk.panel(area)}
