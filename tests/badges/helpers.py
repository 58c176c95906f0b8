"""Reading badge PDFs back as a person (or a scanner) would: rendered at print
resolution with PDFium, QR codes decoded with zxing-cpp, text extracted."""

from __future__ import annotations

PRINT_DPI = 300


def _document(pdf: bytes):
    import pypdfium2

    return pypdfium2.PdfDocument(pdf)


def page_images(pdf: bytes, dpi: int = PRINT_DPI):
    document = _document(pdf)
    return [document[i].render(scale=dpi / 72).to_pil() for i in range(len(document))]


def decoded_codes(pdf: bytes, dpi: int = PRINT_DPI) -> list[list[str]]:
    """The QR codes of each page, decoded from the page rendered at ``dpi``, in reading order."""
    import zxingcpp

    pages = []
    for image in page_images(pdf, dpi):
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        found.sort(key=lambda result: (round(result.position.top_left.y / 100), result.position.top_left.x))
        pages.append([result.text for result in found])
    return pages


def page_texts(pdf: bytes) -> list[str]:
    document = _document(pdf)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]
