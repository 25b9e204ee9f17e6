#include "internal.h"
#include "jpeg_failure.h"

void cimageio_jpeg_fail(j_common_ptr cinfo) {
    cimageio_jpeg_failure *failure = (cimageio_jpeg_failure *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    cimageio_set_message(failure->message, "%s", text);
    longjmp(failure->jump, 1);
}
