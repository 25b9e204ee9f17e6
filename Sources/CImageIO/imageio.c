// C shim for libjpeg-turbo and libpng (to be written).
