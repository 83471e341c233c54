"""Settings the superbuild cannot use stop configure with their own message:
what was found, what was expected, the command to run next."""

from support import configure_error, scratch_dir


def test_empty_package_list():
    text = configure_error(scratch_dir("packages-empty"), "-DTRELLIS2_PACKAGES=")
    assert "TRELLIS2_PACKAGES is empty: found '', expected one or more of cumesh" in text
    assert "-DTRELLIS2_PACKAGES='cumesh;flex_gemm;o_voxel;nvdiffrast'" in text
    assert "add_dependencies" not in text


def test_architecture_list_torch_cannot_parse():
    text = configure_error(scratch_dir("arch-unparsable"), "-DTRELLIS2_CUDA_ARCHITECTURES=8.0;foo")
    assert "TRELLIS2_CUDA_ARCHITECTURES='8.0;foo' is not an architecture list torch can parse" in text
    assert "Unknown CUDA arch (foo)" in text
    assert "expected: TORCH_CUDA_ARCH_LIST syntax" in text
    assert "-DTRELLIS2_CUDA_ARCHITECTURES='8.0;8.6;8.9;9.0+PTX'" in text
    assert "pip install torch" not in text


def test_manylinux_policy_file_that_does_not_exist():
    text = configure_error(scratch_dir("manylinux-missing"), "-DTRELLIS2_MANYLINUX_POLICY=/nonexistent/policy.json")
    assert "TRELLIS2_MANYLINUX_POLICY='/nonexistent/policy.json' does not exist; expected auditwheel's" in text
    assert "leave the variable empty to use the configured Python's auditwheel" in text
