"""The public catalog's reads: search results, pages, exports, feeds, map, rounds, SEO, shortlist.
"""
