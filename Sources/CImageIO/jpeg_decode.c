#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
#include "internal.h"
#include "jpeg_failure.h"

/* Level -1 is a warning ("Premature end of JPEG file", "Corrupt JPEG data: ..."): a damaged file must not
 * turn into a partly grey image, so warnings fail like errors. Trace messages (level >= 0) are ignored. */
static void jpeg_message(j_common_ptr cinfo, int level) {
    if (level < 0) cimageio_jpeg_fail(cinfo);
}

/* OpenCV's CMYK -> RGB for Adobe (inverted) CMYK as libjpeg delivers it. */
static void cmyk_row_to_rgb(const unsigned char *cmyk, unsigned char *rgb, unsigned width) {
    for (unsigned x = 0; x < width; x++, cmyk += 4, rgb += 3) {
        int k = cmyk[3];
        rgb[0] = (unsigned char)(k - ((255 - cmyk[0]) * k >> 8));
        rgb[1] = (unsigned char)(k - ((255 - cmyk[1]) * k >> 8));
        rgb[2] = (unsigned char)(k - ((255 - cmyk[2]) * k >> 8));
    }
}

static int orientation_from_markers(j_decompress_ptr cinfo) {
    for (jpeg_saved_marker_ptr marker = cinfo->marker_list; marker; marker = marker->next) {
        if (marker->marker != JPEG_APP0 + 1) continue;
        int orientation = cimageio_exif_orientation(marker->data, marker->data_length);
        if (orientation != 1) return orientation;
    }
    return 1;
}

int cimageio_jpeg_scale_denominator(int width, int height, int minimum_long_side) {
    int long_side = width > height ? width : height, denominator = 8;
    if (minimum_long_side <= 0) return 1;
    while (denominator > 1 && (long_side + denominator - 1) / denominator < minimum_long_side) denominator /= 2;
    return denominator;
}

cimageio_status cimageio_decode_jpeg(const unsigned char *data, size_t size, long long max_pixels,
                                     cimageio_image *out) {
    struct jpeg_decompress_struct cinfo;
    cimageio_jpeg_failure failure;
    unsigned char *volatile cmyk_row = NULL;
    cimageio_reset_image(out);
    cinfo.err = jpeg_std_error(&failure.base);
    failure.base.error_exit = cimageio_jpeg_fail;
    failure.base.emit_message = jpeg_message;
    failure.message = out->message;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(cmyk_row);
        cimageio_release_pixels(out);
        return CIMAGEIO_LIBRARY_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    if (cimageio_exceeds_limit(out, cinfo.image_width, cinfo.image_height, max_pixels)) {
        jpeg_destroy_decompress(&cinfo);
        return CIMAGEIO_TOO_LARGE;
    }
    out->exif_orientation = orientation_from_markers(&cinfo);

    /* As OpenCV: four components are decoded as CMYK (libjpeg undoes YCCK), everything else as RGB. */
    int is_cmyk = cinfo.num_components == 4;
    cinfo.out_color_space = is_cmyk ? JCS_CMYK : JCS_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)cimageio_jpeg_scale_denominator((int)cinfo.image_width, (int)cinfo.image_height,
                                                                  out->minimum_long_side);
    jpeg_start_decompress(&cinfo);
    unsigned width = cinfo.output_width, height = cinfo.output_height;
    size_t stride = (size_t)width * 3;
    out->pixels = cimageio_pixel_buffer(out, width, height);
    if (out->pixels && is_cmyk) cmyk_row = malloc((size_t)width * 4);
    if (!out->pixels || (is_cmyk && !cmyk_row)) {
        if (out->pixels) cimageio_set_message(out->message, "out of memory for %ux%u pixels", width, height);
        jpeg_destroy_decompress(&cinfo);
        free(cmyk_row);
        cimageio_release_pixels(out);
        return CIMAGEIO_OUT_OF_MEMORY;
    }
    while (cinfo.output_scanline < height) {
        unsigned char *row = out->pixels + stride * cinfo.output_scanline;
        JSAMPROW target = is_cmyk ? cmyk_row : row;
        jpeg_read_scanlines(&cinfo, &target, 1);
        if (is_cmyk) cmyk_row_to_rgb(cmyk_row, row, width);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);
    out->width = (int)width;
    out->height = (int)height;
    return CIMAGEIO_OK;
}
