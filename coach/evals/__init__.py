"""Measuring the product on gold files: retrieval (`retrieval`: R@1, R@5, MRR@10) and answers
(`answers`: supported, cited, coverage, speed)."""
