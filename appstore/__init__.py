"""appstore: see PRODUCT.md; built by its own issue."""
