/* CDicom: a small C interface over DCMTK (C++) for the Imaging target.
 *
 * Every DCMTK call, status check and C++ exception stays inside dicom_decode.cpp; callers see status codes,
 * a message and plain fields. Only what screening needs leaves the shim: the greyscale pixels as displayed,
 * the attributes that decide whether the object is a frontal chest radiograph, and the two UIDs the ledger
 * records. No patient data is copied out. */
#ifndef CDICOM_H
#define CDICOM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CDICOM_OK = 0,
    /* Rows x Columns over max_pixels: width and height are set, no pixel decoded. */
    CDICOM_TOO_LARGE = 1,
    /* Not readable as DICOM, or its pixel data cannot be decoded: message says why. */
    CDICOM_CORRUPT = 2,
    /* A valid DICOM object that is not a single greyscale radiograph (multi-frame, no pixel data, another
     * modality, colour) or uses a transfer syntax DCMTK cannot decode here (JPEG 2000): message says which. */
    CDICOM_REFUSED = 3,
    CDICOM_OUT_OF_MEMORY = 4,
} cdicom_status;

enum { CDICOM_TEXT_CAPACITY = 80, CDICOM_MESSAGE_CAPACITY = 256 };

typedef struct {
    int width;
    int height;
    /* 8-bit greyscale, width * height, rows top to bottom, as displayed (MONOCHROME1 inverted, the modality
     * rescale and the chosen VOI transformation applied). In `destination` when the caller set it (at least
     * width * height bytes), else malloc'd (release with cdicom_free). */
    unsigned char *pixels;
    unsigned char *destination;
    size_t destination_size;
    int bits_stored;
    /* Attribute values (empty when absent), trimmed: Modality, ViewPosition, BodyPartExamined,
     * PhotometricInterpretation, SOPInstanceUID, StudyInstanceUID, and the transfer syntax's name. */
    char modality[CDICOM_TEXT_CAPACITY];
    char view_position[CDICOM_TEXT_CAPACITY];
    char body_part[CDICOM_TEXT_CAPACITY];
    char photometric[CDICOM_TEXT_CAPACITY];
    char sop_instance_uid[CDICOM_TEXT_CAPACITY];
    char study_instance_uid[CDICOM_TEXT_CAPACITY];
    char transfer_syntax[CDICOM_TEXT_CAPACITY];
    /* Which VOI transformation gave the displayed grey levels: "VOI LUT", "window" or "min-max". */
    char voi[CDICOM_TEXT_CAPACITY];
    char message[CDICOM_MESSAGE_CAPACITY];
} cdicom_image;

/* True when the bytes start like a DICOM file: 128-byte preamble, then "DICM". */
int cdicom_is_dicom(const unsigned char *data, size_t size);

/* Decodes the single frame of a DICOM file held in memory. With max_pixels 0 only the attributes and the
 * size are read (CDICOM_TOO_LARGE with width and height set, or another status when the object is refused). */
cdicom_status cdicom_decode(const unsigned char *data, size_t size, long long max_pixels, cdicom_image *out);

void cdicom_free(void *pointer);

/* For tests: writes a DICOM file of one greyscale frame. `pixels` holds width * height samples of
 * bits_allocated 8 (unsigned char) or 16 (unsigned short); `transfer_syntax` is one of "explicit-little",
 * "jpeg-baseline" (8-bit only), "jpeg-lossless", "jpeg-ls-lossless", "rle". Attributes given as NULL are left
 * out; window_width <= 0 writes no window. Returns CDICOM_OK or CDICOM_CORRUPT with a message. */
typedef struct {
    int width;
    int height;
    int bits_allocated;
    int bits_stored;
    const void *pixels;
    const char *photometric;
    const char *modality;
    const char *view_position;
    const char *body_part;
    const char *sop_instance_uid;
    const char *study_instance_uid;
    const char *patient_name;
    double rescale_slope;
    double rescale_intercept;
    double window_center;
    double window_width;
    int frames;
    const char *transfer_syntax;
} cdicom_test_object;

cdicom_status cdicom_write_test_file(const char *path, const cdicom_test_object *object, char message[CDICOM_MESSAGE_CAPACITY]);

#ifdef __cplusplus
}
#endif

#endif
