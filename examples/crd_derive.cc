// A custom resource declared from plain structs; prints its CustomResourceDefinition as YAML.
//
//   crd_derive | kubectl apply -f -
//   crd_derive --example | kubectl apply -f -     (an example ConfigMapGenerator)
#include <iostream>
#include <string_view>

#include "config_map_generator.h"
#include "kube/core/dom.h"
#include "kube/core/yaml.h"

int main(int argc, char** argv) {
  using example::ConfigMapGenerator;
  try {
    if (argc > 1 && std::string_view(argv[1]) == "--example") {
      ConfigMapGenerator g;
      g.metadata.name = "greetings";
      g.spec.content = {{"greeting", "hello"}, {"farewell", "goodbye"}};
      g.spec.replicas = 2;
      g.spec.mode = example::Mode::Merge;
      std::cout << kube::yaml::emit(kube::json::to_dom(g));
    } else if (argc > 1) {
      std::cerr << "usage: " << argv[0] << " [--example]\n";
      return 2;
    } else {
      std::cout << kube::yaml::emit(kube::json::to_dom(ConfigMapGenerator::crd()));
    }
  } catch (const kube::Error& e) {
    std::cerr << "crd_derive: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
