"""Report suite: parameters, notebook execution, HTML rendering, index."""
