/* Starts libFuzzer (see driver.c). */
int FuzzDecoders_main(int argc, char **argv);
