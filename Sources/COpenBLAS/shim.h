/* OpenBLAS's CBLAS interface, including openblas_get_corename() and the thread controls. */
#include <cblas.h>
