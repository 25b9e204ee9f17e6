/* libjpeg error handling shared by the JPEG decoder and encoder (internal). */
#ifndef CIMAGEIO_JPEG_FAILURE_H
#define CIMAGEIO_JPEG_FAILURE_H

#include <setjmp.h>
#include <stdio.h>
#include <jpeglib.h>

/* libjpeg error manager that jumps back to the public call with the library's message. */
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} cimageio_jpeg_failure;

/* libjpeg error_exit: copies the message and longjmps to the failure's jump buffer. */
void cimageio_jpeg_fail(j_common_ptr cinfo);

#endif
