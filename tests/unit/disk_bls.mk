# Boot Loader Specification entries (disk/bls.c): the host unit test's
# firmware sources.
$(BUILD)/unit/test_bls: disk/bls.c
