# cohort_set_warnings(target): the warning flags for cohort's own targets, as PRIVATE options.
# A function rather than an INTERFACE target, so that install(EXPORT) and export() both work on
# CMake 3.25 (an unexported PRIVATE link dependency breaks one of them).
function(cohort_set_warnings target)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    # g++ 12 reports a false mismatched new/delete on coroutine frames at -O2 (Asio's frame
    # allocator); this is the only warning silenced.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>
    $<$<BOOL:${COHORT_WERROR}>:-Werror>)
  if(COHORT_SANITIZE STREQUAL "thread")
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  elseif(COHORT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# cohort_unity_build(target): with COHORT_UNITY_BUILD, `target` compiles in units of up to eight
# sources. g++ warns about a type of an anonymous namespace inside a coroutine frame unless the
# source is the main file, and in a unity build no source is: that warning is off there.
function(cohort_unity_build target)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ${COHORT_UNITY_BUILD} UNITY_BUILD_BATCH_SIZE 8)
  if(COHORT_UNITY_BUILD)
    target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
  endif()
endfunction()
