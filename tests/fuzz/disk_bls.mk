# Boot Loader Specification entries (disk/bls.c): the fuzz target's
# firmware sources.
$(BUILD)/fuzz/fuzz_bls: disk/bls.c
