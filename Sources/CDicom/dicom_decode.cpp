// DICOM decoding for CDicom.h: all of DCMTK stays in this file (and dicom_write.cpp for test objects).
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmimgle/dcmimage.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include "CDicom.h"
#include "internal.hpp"

void cdicom_set_message(char *message, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, CDICOM_MESSAGE_CAPACITY, format, arguments);
    va_end(arguments);
}

void cdicom_prepare_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        // DCMTK logs warnings to the console by default; the shim reports through its status and message.
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

namespace {

void copy_text(DcmDataset *dataset, const DcmTagKey &tag, char *destination) {
    OFString value;
    destination[0] = '\0';
    if (dataset->findAndGetOFStringArray(tag, value).bad()) return;
    size_t start = value.find_first_not_of(' ');
    if (start == OFString_npos) return;
    size_t end = value.find_last_not_of(" \0");
    OFString trimmed = value.substr(start, end - start + 1);
    snprintf(destination, CDICOM_TEXT_CAPACITY, "%s", trimmed.c_str());
}

/// Reads a DICOM file from memory; values larger than `max_read_length` are not loaded.
OFCondition read_from_memory(const unsigned char *data, size_t size, DcmFileFormat &file, Uint32 max_read_length) {
    DcmInputBufferStream stream;
    stream.setBuffer(data, static_cast<offile_off_t>(size));
    stream.setEos();
    file.transferInit();
    OFCondition condition = file.read(stream, EXS_Unknown, EGL_noChange, max_read_length);
    file.transferEnd();
    return condition;
}

bool is_radiograph_modality(const char *modality) {
    return strcmp(modality, "CR") == 0 || strcmp(modality, "DX") == 0 || strcmp(modality, "DR") == 0;
}

cdicom_status decode(const unsigned char *data, size_t size, long long max_pixels, cdicom_image *out) {
    cdicom_prepare_library();
    DcmFileFormat file;
    // The header probe (max_pixels 0) leaves the pixel data unread.
    OFCondition condition = read_from_memory(data, size, file, max_pixels == 0 ? 4096 : OFstatic_cast(Uint32, -1));
    if (condition.bad()) {
        cdicom_set_message(out->message, "not readable as DICOM (%s)", condition.text());
        return CDICOM_CORRUPT;
    }
    DcmDataset *dataset = file.getDataset();
    copy_text(dataset, DCM_Modality, out->modality);
    copy_text(dataset, DCM_ViewPosition, out->view_position);
    copy_text(dataset, DCM_BodyPartExamined, out->body_part);
    copy_text(dataset, DCM_PhotometricInterpretation, out->photometric);
    copy_text(dataset, DCM_SOPInstanceUID, out->sop_instance_uid);
    copy_text(dataset, DCM_StudyInstanceUID, out->study_instance_uid);
    E_TransferSyntax syntax = dataset->getOriginalXfer();
    snprintf(out->transfer_syntax, CDICOM_TEXT_CAPACITY, "%s", DcmXfer(syntax).getXferName());

    if (!dataset->tagExists(DCM_PixelData)) {
        cdicom_set_message(out->message, "no pixel data (not an image object)");
        return CDICOM_REFUSED;
    }
    Sint32 frames = 1;
    if (dataset->findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1) {
        cdicom_set_message(out->message, "%d frames; only single-frame radiographs are screened", static_cast<int>(frames));
        return CDICOM_REFUSED;
    }
    if (!is_radiograph_modality(out->modality)) {
        cdicom_set_message(out->message, "modality %s is not a projection radiograph (CR, DX or DR)", out->modality[0] ? out->modality : "(none)");
        return CDICOM_REFUSED;
    }
    if (strcmp(out->photometric, "MONOCHROME1") != 0 && strcmp(out->photometric, "MONOCHROME2") != 0) {
        cdicom_set_message(out->message, "photometric interpretation %s; radiographs are MONOCHROME1 or MONOCHROME2", out->photometric[0] ? out->photometric : "(none)");
        return CDICOM_REFUSED;
    }
    Uint16 rows = 0, columns = 0, bits_stored = 0;
    dataset->findAndGetUint16(DCM_Rows, rows);
    dataset->findAndGetUint16(DCM_Columns, columns);
    dataset->findAndGetUint16(DCM_BitsStored, bits_stored);
    out->width = columns;
    out->height = rows;
    out->bits_stored = bits_stored;
    if (rows == 0 || columns == 0) {
        cdicom_set_message(out->message, "Rows or Columns missing or zero");
        return CDICOM_CORRUPT;
    }
    if (static_cast<long long>(rows) * columns > max_pixels) {
        cdicom_set_message(out->message, "%ux%u pixels is over the limit of %lld pixels", columns, rows, max_pixels);
        return CDICOM_TOO_LARGE;
    }
    if (syntax == EXS_JPEG2000 || syntax == EXS_JPEG2000LosslessOnly) {
        cdicom_set_message(out->message, "JPEG 2000 compressed pixel data (%s): this build of DCMTK cannot decode it", out->transfer_syntax);
        return CDICOM_REFUSED;
    }

    DicomImage image(&file, syntax);
    if (image.getStatus() != EIS_Normal) {
        cdicom_set_message(out->message, "pixel data cannot be decoded (%s)", DicomImage::getString(image.getStatus()));
        return CDICOM_CORRUPT;
    }
    // The VOI transformation the file asks for: its VOI LUT first, else its first window, else the full range.
    if (image.getVoiLutCount() > 0 && image.setVoiLut(1)) {
        snprintf(out->voi, CDICOM_TEXT_CAPACITY, "VOI LUT");
    } else if (image.getWindowCount() > 0 && image.setWindow(0)) {
        snprintf(out->voi, CDICOM_TEXT_CAPACITY, "window");
    } else {
        image.setMinMaxWindow();
        snprintf(out->voi, CDICOM_TEXT_CAPACITY, "min-max");
    }
    const size_t count = static_cast<size_t>(rows) * columns;
    const void *rendered = image.getOutputData(8);
    if (rendered == NULL || image.getOutputDataSize(8) != count) {
        cdicom_set_message(out->message, "pixel data cannot be rendered (%s)", DicomImage::getString(image.getStatus()));
        return CDICOM_CORRUPT;
    }
    if (out->destination) {
        if (out->destination_size < count) {
            cdicom_set_message(out->message, "the destination holds %zu bytes, %zu needed", out->destination_size, count);
            return CDICOM_CORRUPT;
        }
        out->pixels = out->destination;
    } else {
        out->pixels = static_cast<unsigned char *>(malloc(count));
        if (!out->pixels) {
            cdicom_set_message(out->message, "out of memory for %ux%u pixels", columns, rows);
            return CDICOM_OUT_OF_MEMORY;
        }
    }
    memcpy(out->pixels, rendered, count);
    return CDICOM_OK;
}

}  // namespace

extern "C" int cdicom_is_dicom(const unsigned char *data, size_t size) {
    return size >= 132 && memcmp(data + 128, "DICM", 4) == 0;
}

extern "C" cdicom_status cdicom_decode(const unsigned char *data, size_t size, long long max_pixels, cdicom_image *out) {
    unsigned char *destination = out->destination;
    size_t destination_size = out->destination_size;
    memset(out, 0, sizeof *out);
    out->destination = destination;
    out->destination_size = destination_size;
    try {
        return decode(data, size, max_pixels, out);
    } catch (const std::bad_alloc &) {
        cdicom_set_message(out->message, "out of memory");
        return CDICOM_OUT_OF_MEMORY;
    } catch (...) {
        cdicom_set_message(out->message, "DCMTK failed on this file");
        return CDICOM_CORRUPT;
    }
}

extern "C" void cdicom_free(void *pointer) {
    free(pointer);
}
