"""Figures as report text: n/a for None, thousands separators, ranges, microseconds as ms."""


def fmt(value, digits=1, unit=""):
    if value is None:
        return "n/a"
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.0f}{unit}"
    return f"{value:,.{digits}f}{unit}"


def fmt_range(r, digits=1, unit=""):
    return "n/a" if not r else f"{fmt(r[0], digits, unit)} – {fmt(r[1], digits, unit)}"


def ms(us, digits=2):
    return fmt(us / 1000 if us is not None else None, digits, " ms")


def ms_range(r, digits=2):
    return fmt_range([x / 1000 for x in r] if r else None, digits, " ms")
