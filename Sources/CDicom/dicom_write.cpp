// Writing small DICOM test objects (for the tests' fixtures, made at test time from in-memory pixels).
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcrleerg.h"
#include "dcmtk/dcmjpeg/djencode.h"
#include "dcmtk/dcmjpeg/djrplol.h"
#include "dcmtk/dcmjpeg/djrploss.h"
#include "dcmtk/dcmjpls/djencode.h"
#include "dcmtk/dcmjpls/djrparam.h"

#include <cstdio>
#include <cstring>
#include <mutex>

#include "CDicom.h"
#include "internal.hpp"

namespace {

void register_encoders() {
    static std::once_flag once;
    std::call_once(once, [] {
        DJEncoderRegistration::registerCodecs();
        DJLSEncoderRegistration::registerCodecs();
        DcmRLEEncoderRegistration::registerCodecs();
    });
}

OFCondition put(DcmDataset *dataset, const DcmTagKey &tag, const char *value) {
    return value ? dataset->putAndInsertString(tag, value) : EC_Normal;
}

OFCondition put_number(DcmDataset *dataset, const DcmTagKey &tag, double value) {
    char text[32];
    snprintf(text, sizeof text, "%g", value);
    return dataset->putAndInsertString(tag, text);
}

cdicom_status write(const char *path, const cdicom_test_object *object, char *message) {
    cdicom_prepare_library();
    register_encoders();
    DcmFileFormat file;
    DcmDataset *dataset = file.getDataset();
    char uid[100];
    OFCondition status = dataset->putAndInsertString(DCM_SOPClassUID, UID_DigitalXRayImageStorageForPresentation);
    if (status.good()) status = dataset->putAndInsertString(DCM_SOPInstanceUID, object->sop_instance_uid ? object->sop_instance_uid : dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
    if (status.good()) status = dataset->putAndInsertString(DCM_StudyInstanceUID, object->study_instance_uid ? object->study_instance_uid : dcmGenerateUniqueIdentifier(uid, SITE_STUDY_UID_ROOT));
    if (status.good()) status = put(dataset, DCM_Modality, object->modality);
    if (status.good()) status = put(dataset, DCM_ViewPosition, object->view_position);
    if (status.good()) status = put(dataset, DCM_BodyPartExamined, object->body_part);
    if (status.good()) status = put(dataset, DCM_PatientName, object->patient_name);
    if (status.good()) status = put(dataset, DCM_PhotometricInterpretation, object->photometric);
    if (status.good()) status = dataset->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    if (status.good()) status = dataset->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(object->height));
    if (status.good()) status = dataset->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(object->width));
    if (status.good()) status = dataset->putAndInsertUint16(DCM_BitsAllocated, static_cast<Uint16>(object->bits_allocated));
    if (status.good()) status = dataset->putAndInsertUint16(DCM_BitsStored, static_cast<Uint16>(object->bits_stored));
    if (status.good()) status = dataset->putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(object->bits_stored - 1));
    if (status.good()) status = dataset->putAndInsertUint16(DCM_PixelRepresentation, 0);
    if (status.good() && (object->rescale_slope != 0 && (object->rescale_slope != 1 || object->rescale_intercept != 0))) {
        status = put_number(dataset, DCM_RescaleSlope, object->rescale_slope);
        if (status.good()) status = put_number(dataset, DCM_RescaleIntercept, object->rescale_intercept);
    }
    if (status.good() && object->window_width > 0) {
        status = put_number(dataset, DCM_WindowCenter, object->window_center);
        if (status.good()) status = put_number(dataset, DCM_WindowWidth, object->window_width);
    }
    const int frames = object->frames > 1 ? object->frames : 1;
    if (status.good() && frames > 1) status = put_number(dataset, DCM_NumberOfFrames, frames);
    const size_t samples = static_cast<size_t>(object->width) * object->height;
    if (status.good() && object->pixels) {
        if (object->bits_allocated == 8) {
            OFVector<Uint8> all(samples * frames);
            for (int f = 0; f < frames; f++) memcpy(&all[samples * f], object->pixels, samples);
            status = dataset->putAndInsertUint8Array(DCM_PixelData, &all[0], static_cast<unsigned long>(all.size()));
        } else {
            OFVector<Uint16> all(samples * frames);
            for (int f = 0; f < frames; f++) memcpy(&all[samples * f], object->pixels, samples * 2);
            status = dataset->putAndInsertUint16Array(DCM_PixelData, &all[0], static_cast<unsigned long>(all.size()));
        }
    }
    if (status.bad()) {
        cdicom_set_message(message, "cannot build the object (%s)", status.text());
        return CDICOM_CORRUPT;
    }
    const char *name = object->transfer_syntax ? object->transfer_syntax : "explicit-little";
    E_TransferSyntax syntax = EXS_LittleEndianExplicit;
    DJ_RPLossy lossy(90);
    DJ_RPLossless lossless;
    DJLSRepresentationParameter lossless_ls(2, OFTrue);
    DcmRepresentationParameter *parameter = NULL;
    if (strcmp(name, "jpeg-baseline") == 0) { syntax = EXS_JPEGProcess1; parameter = &lossy; }
    else if (strcmp(name, "jpeg-lossless") == 0) { syntax = EXS_JPEGProcess14SV1; parameter = &lossless; }
    else if (strcmp(name, "jpeg-ls-lossless") == 0) { syntax = EXS_JPEGLSLossless; parameter = &lossless_ls; }
    else if (strcmp(name, "rle") == 0) { syntax = EXS_RLELossless; }
    else if (strcmp(name, "explicit-little") != 0) {
        cdicom_set_message(message, "unknown transfer syntax name %s", name);
        return CDICOM_CORRUPT;
    }
    if (syntax != EXS_LittleEndianExplicit) {
        status = dataset->chooseRepresentation(syntax, parameter);
        if (status.bad() || !dataset->canWriteXfer(syntax)) {
            cdicom_set_message(message, "cannot encode as %s (%s)", name, status.text());
            return CDICOM_CORRUPT;
        }
    }
    status = file.saveFile(path, syntax);
    if (status.bad()) {
        cdicom_set_message(message, "cannot write %s (%s)", path, status.text());
        return CDICOM_CORRUPT;
    }
    return CDICOM_OK;
}

}  // namespace

extern "C" cdicom_status cdicom_write_test_file(const char *path, const cdicom_test_object *object, char message[CDICOM_MESSAGE_CAPACITY]) {
    message[0] = '\0';
    try {
        return write(path, object, message);
    } catch (...) {
        cdicom_set_message(message, "DCMTK failed writing %s", path);
        return CDICOM_CORRUPT;
    }
}
