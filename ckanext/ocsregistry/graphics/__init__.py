"""Pictures of the registry for slides: SVG drawn by the views, PNG from that SVG."""
