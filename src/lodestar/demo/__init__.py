"""The demo workspace `acme`: a believable B2B company, generated from a seed.

Each area of Lodestar extends it with its own module; `build.build_demo` calls them in
order. Same seed and size, same workspace.
"""
