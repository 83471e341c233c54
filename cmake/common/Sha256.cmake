# Sha256: the one sha256 of a file for every CMake file and script (a
# source-cache manifest's entries, a PyPI toolkit's lock), 64 lowercase hex
# digits of its bytes, as Python's hashlib.sha256().hexdigest() writes it.
#
# trellis2_sha256(<file> <out>)   a symbolic link is followed

include_guard(GLOBAL)

function(trellis2_sha256 file out)
  file(SHA256 "${file}" hash)
  set(${out} "${hash}" PARENT_SCOPE)
endfunction()
