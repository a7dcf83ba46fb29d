"""Pictures of shifts: one timeline model (``timeline``) drawn as mermaid for a PR comment
(``gantt``) and as SVG inside self-contained HTML pages (``svg``, ``page``).

Every string they show is made safe in ``escape``.
"""
