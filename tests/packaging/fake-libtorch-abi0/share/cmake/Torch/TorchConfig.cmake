# A stand-in for a LibTorch built with the pre-C++11 string ABI (a PyTorch pip wheel before the
# switch, or the "pre-cxx11 ABI" LibTorch zip): only what cmake/SelectLibTorch.cmake reads.
# Used by tests/packaging (libtorch_abi_mismatch_stops_configure); nothing links against it.
set(Torch_FOUND TRUE)
set(Torch_VERSION "0.0.0-abi0-test")
set(TORCH_LIBRARIES "")
set(TORCH_INCLUDE_DIRS "")
set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=0")
