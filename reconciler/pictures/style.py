"""The pages' one inline stylesheet: system fonts only (Chinese and Latin), and for print."""

from __future__ import annotations

__all__ = ["CSS"]

# No web font: each platform's own fonts, Latin first, then the usual CJK faces.
_FONTS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", '
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)

CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; padding: 24px; font-family: {_FONTS}; font-size: 15px; line-height: 1.45;
  color: #111827; background: #fff; }}
main {{ max-width: 1240px; margin: 0 auto; }}
h1 {{ font-size: 1.6rem; margin: 0 0 .25rem; }}
h2 {{ font-size: 1.15rem; margin: 0 0 .5rem; }}
.summary {{ font-weight: 600; margin: .25rem 0 1rem; }}
.meta {{ color: #4b5563; font-size: .85rem; word-break: break-all; }}
.name {{ font-weight: 600; overflow-wrap: anywhere; }}
.banner {{ border-left: 4px solid; padding: .5rem .75rem; margin: 0 0 1rem; border-radius: 4px; }}
.banner.caution {{ border-color: #dc2626; background: #fef2f2; }}
.banner.warning {{ border-color: #d97706; background: #fffbeb; }}
.banner ul {{ margin: .25rem 0 0; }}
nav ol {{ margin: 0 0 1rem; padding-left: 1.5rem; }}
nav a {{ color: #1d4ed8; text-decoration: none; }}
.legend {{ display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; list-style: none;
  padding: 0; margin: 0 0 1.25rem; font-size: .85rem; color: #374151; }}
.legend svg {{ vertical-align: -1px; }}
.change {{ border: 1px solid #e5e7eb; border-radius: 6px; padding: 1rem; margin: 0 0 1.25rem; }}
.change.create {{ border-left: 4px solid #16a34a; }}
.change.update {{ border-left: 4px solid #d97706; }}
.change.delete {{ border-left: 4px solid #dc2626; }}
.symbol {{ font-family: ui-monospace, Menlo, Consolas, monospace; margin-right: .35rem; }}
.facts {{ margin: 0 0 .75rem; font-size: .9rem; color: #374151; }}
.facts dt {{ display: inline; font-weight: 600; }}
.facts dd {{ display: inline; margin: 0 1rem 0 .25rem; }}
figure {{ margin: 0 0 .75rem; }}
svg.timeline {{ display: block; max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; font-size: .9rem; }}
table.fields {{ width: 100%; }}
table.fields th, table.fields td {{ border-top: 1px solid #e5e7eb; padding: .25rem .5rem;
  text-align: left; vertical-align: top; }}
table.fields td {{ font-family: ui-monospace, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace;
  overflow-wrap: anywhere; }}
td.before {{ background: #fef2f2; }}
td.after {{ background: #f0fdf4; }}
table.catalogue {{ width: 100%; table-layout: fixed; }}
table.catalogue col.shift {{ width: 15rem; }}
table.catalogue th, table.catalogue td {{ padding: .2rem .5rem; text-align: left;
  vertical-align: middle; border-top: 1px solid #f3f4f6; }}
table.catalogue tr.ruler td {{ border: 0; }}
table.catalogue th .meta {{ font-weight: normal; word-break: normal; overflow-wrap: anywhere; }}
footer {{ margin-top: 2rem; color: #6b7280; font-size: .8rem; }}
@page {{ margin: 12mm; }}
@media print {{
  body {{ padding: 0; font-size: 10pt; }}
  main {{ max-width: none; }}
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  nav {{ display: none; }}
  h2, figure {{ break-after: avoid; }}
  figure, tr {{ break-inside: avoid; }}
  .change {{ break-inside: avoid-page; }}
  thead {{ display: table-header-group; }}
  tfoot {{ display: table-footer-group; }}
  a {{ color: inherit; text-decoration: none; }}
}}
"""
