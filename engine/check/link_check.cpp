// An empty program linked with one whole engine layer and only the layers
// below it (engine/CMakeLists: warden_link_check_*). If any object of the
// layer calls into a layer above, this fails to link: the build, not a
// convention, keeps the dependencies pointing one way.
int main() { return 0; }
