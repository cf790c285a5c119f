// Stands in for Boost.Beast's configuration header, which every Beast header includes, in the
// targets that must not use Beast (iiot_without_beast in cmake/module_boundaries.cmake).
#pragma once
#error "Boost.Beast belongs to src/push and the tools (see cmake/module_boundaries.cmake)"
