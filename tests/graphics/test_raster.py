from io import BytesIO

from PIL import Image

from ckanext.ocsregistry.graphics.raster import svg_to_png

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50">'
    '<rect x="0" y="0" width="50" height="50" fill="#ff0000"/></svg>'
)


def test_png_is_the_svg_drawn_at_the_asked_width():
    png = svg_to_png(SVG, width=200)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(BytesIO(png)).convert("RGB")
    assert image.size == (200, 100)
    # the red square on the left, the white background on the right
    assert image.getpixel((50, 50)) == (255, 0, 0)
    assert image.getpixel((150, 50)) == (255, 255, 255)


def test_external_references_are_not_read(tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text(SVG)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="100" height="50"><image xlink:href="file://%s" width="100" height="50"/></svg>'
        % secret
    )
    image = Image.open(BytesIO(svg_to_png(svg, width=100))).convert("RGB")
    assert image.getpixel((25, 25)) == (255, 255, 255)
