"""Site-wide pages: the home page, the health check and the error pages."""
