/* fixturepkg._legacy: a native module nothing rebuilds and nothing imports. */
#include <Python.h>

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_legacy", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__legacy(void) { return PyModule_Create(&module); }
