// Helpers shared by the CDicom source files (not part of the public header).
#ifndef CDICOM_INTERNAL_HPP
#define CDICOM_INTERNAL_HPP

/// Writes a printf-style message into a CDICOM_MESSAGE_CAPACITY buffer.
void cdicom_set_message(char *message, const char *format, ...);

/// Registers DCMTK's decoders (JPEG, JPEG-LS, RLE) and silences its console logging, once per process.
void cdicom_prepare_library();

#endif
