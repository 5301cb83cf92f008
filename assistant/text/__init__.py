"""Pure text functions: Arabic/English normalisation, segmentation, numbers."""
