"""法治政府建设年度报告助手: read past annual rule-of-law reports, answer across them with citations,
summarize them, and draft next year's report from last year's shortcomings and plans."""

__version__ = "0.1.0"
