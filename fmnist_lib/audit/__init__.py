"""What the records say about the paper: its claims, one seed-aware rule, verdicts as data, the
inflation mechanisms, the bottom line, and the statistics behind them. Reads records; never
computes them.
"""
