"""PNG pictures rendered from the registry's own SVG.

One drawing per view (the map, the timeline) is written as SVG; the PNG offered
for slides is that same SVG rasterised by CairoSVG, so both never disagree.
"""
from __future__ import annotations

import cairosvg

__all__ = ["svg_to_png", "PNG_MEDIA_TYPE", "SVG_MEDIA_TYPE"]

PNG_MEDIA_TYPE = "image/png"
SVG_MEDIA_TYPE = "image/svg+xml; charset=utf-8"

# Wide enough for a slide, small enough to stay a few hundred kilobytes.
DEFAULT_WIDTH = 1600


def svg_to_png(svg: str | bytes, width: int = DEFAULT_WIDTH) -> bytes:
    """Rasterise an SVG document (text or UTF-8 bytes) to PNG bytes.

    The document must not reference external files or URLs: CairoSVG is run
    with ``unsafe=False`` so it never reads the disk or the network.
    """
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    return cairosvg.svg2png(
        bytestring=data, output_width=int(width), unsafe=False, background_color="white"
    )
