/* Force-included into cumesh._xatlas by the recipe (CMakeLists.txt) where the
 * compiler's headers are GCC 11's but the libstdc++.so it links is newer
 * (Debian 12's g++-11 links GCC 12's runtime).
 *
 * std::condition_variable::wait(std::unique_lock<std::mutex>&), which xatlas's
 * thread pool calls, has two versions in GCC 12's libstdc++ (PR 103382):
 * GLIBCXX_3.4.11, noexcept, as GCC 11's headers declare it, and the new
 * default GLIBCXX_3.4.30, which lets thread cancellation unwind. A plain
 * link binds the new default, which Rocky 9's libstdc++ (3.4.29) lacks and
 * which does not match the noexcept these headers compiled against. This
 * binds the reference to GLIBCXX_3.4.11: the version GCC 11's own runtime
 * provides, so the module links as it would on Rocky 9. */
__asm__(".symver _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE,"
        "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
