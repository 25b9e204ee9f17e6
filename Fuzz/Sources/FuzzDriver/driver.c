/* SwiftPM links an executable target with its `main` renamed to <target>_main, so libFuzzer's own main is
 * never linked in; this starts libFuzzer's driver from there, with the Swift entry point. */
#include <stddef.h>
#include <stdint.h>
#include "FuzzDriver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int FuzzDecoders_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
