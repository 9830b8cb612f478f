"""HTTP plumbing every route shares: deps, errors to responses, middleware, headers, caching,
templating.
"""
