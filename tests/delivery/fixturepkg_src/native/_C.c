/* fixturepkg._C: two functions the Python calls, plus build() so a test can
   tell which binary is loaded. FIXTURE_BUILD numbers the build (the wheel's
   own is 1); FIXTURE_OMIT_SCALE leaves scale out, as an API drift would. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef FIXTURE_BUILD
#define FIXTURE_BUILD 1
#endif

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}

#ifndef FIXTURE_OMIT_SCALE
static PyObject *scale(PyObject *self, PyObject *args) {
    double x, f;
    if (!PyArg_ParseTuple(args, "dd", &x, &f)) return NULL;
    return PyFloat_FromDouble(x * f);
}
#endif

static PyObject *build(PyObject *self, PyObject *args) {
    return PyLong_FromLong(FIXTURE_BUILD);
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "a + b"},
#ifndef FIXTURE_OMIT_SCALE
    {"scale", scale, METH_VARARGS, "x * f"},
#endif
    {"build", build, METH_NOARGS, "which build this is"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_C", NULL, -1, methods};

PyMODINIT_FUNC PyInit__C(void) { return PyModule_Create(&module); }
