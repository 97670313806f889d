# Read after the VFIO selftests' own Makefile (make -f Makefile -f this):
# prints the test programs it builds, so build.sh copies every one of them.
print-progs:
	@echo $(notdir $(TEST_GEN_PROGS))
