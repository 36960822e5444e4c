# Install layout and the Debian packages (CPack), built by packaging/build-deb.sh into build/deb/:
#   scns            the command line, its man page (generated from its own help), bash completion,
#                   the class-to-synset tables under /usr/share/scns-workbench/resources
#   scns-workbench  the desktop program: .desktop entry, hicolor icons, AppStream metainfo, man page
# Runtime dependencies come from dpkg-shlibdeps (LibTorch, Qt, SQLite, ... of the release built
# on, never -dev packages) plus the data packages named below. docs/packaging.md.

set(_linux ${PROJECT_SOURCE_DIR}/packaging/linux)
set(_gen ${PROJECT_BINARY_DIR}/packaging)
set(SCNS_APP_ID io.github.scnsworkbench.Workbench)

# Man pages and completion from the programs' --help (packaging/linux/make-cli-docs.py), and the
# Debian changelog compressed without a time stamp.
set(_outputs ${_gen}/scns.1.gz ${_gen}/scns.bash-completion ${_gen}/changelog.gz)
set(_args --scns $<TARGET_FILE:scns>)
set(_deps scns ${_linux}/make-cli-docs.py ${_linux}/changelog)
if(TARGET scns-workbench)
  list(APPEND _outputs ${_gen}/scns-workbench.1.gz)
  list(APPEND _args --workbench $<TARGET_FILE:scns-workbench>)
  list(APPEND _deps scns-workbench)
endif()
add_custom_command(OUTPUT ${_outputs}
  COMMAND ${SCNS_PYTHON} ${_linux}/make-cli-docs.py ${_args} --out ${_gen} --version ${PROJECT_VERSION}
  COMMAND ${SCNS_PYTHON} -c "import gzip,sys; open(sys.argv[2],'wb').write(gzip.compress(open(sys.argv[1],'rb').read(),9,mtime=0))"
          ${_linux}/changelog ${_gen}/changelog.gz
  DEPENDS ${_deps}
  COMMENT "Man pages and bash completion from scns --help"
  VERBATIM)
add_custom_target(cli-docs ALL DEPENDS ${_outputs})

install(FILES ${_gen}/scns.1.gz DESTINATION share/man/man1 COMPONENT scns)
install(FILES ${_gen}/scns.bash-completion DESTINATION share/bash-completion/completions RENAME scns
        COMPONENT scns)
install(FILES ${_linux}/copyright ${_gen}/changelog.gz DESTINATION share/doc/scns COMPONENT scns)

if(TARGET scns-workbench)
  install(FILES ${_gen}/scns-workbench.1.gz DESTINATION share/man/man1 COMPONENT workbench)
  install(FILES ${_linux}/${SCNS_APP_ID}.desktop DESTINATION share/applications COMPONENT workbench)
  install(FILES ${_linux}/${SCNS_APP_ID}.metainfo.xml DESTINATION share/metainfo COMPONENT workbench)
  install(FILES ${_linux}/scns-workbench.svg DESTINATION share/icons/hicolor/scalable/apps
          COMPONENT workbench)
  foreach(size 16 32 48 64 128 256)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/scns-workbench-${size}.png
            DESTINATION share/icons/hicolor/${size}x${size}/apps RENAME scns-workbench.png
            COMPONENT workbench)
  endforeach()
  install(FILES ${_linux}/copyright ${_gen}/changelog.gz DESTINATION share/doc/scns-workbench
          COMPONENT workbench)
endif()

# --- CPack: one .deb per component ------------------------------------------------------------
# The release built on goes into the version (0.1.0~deb12, 0.1.0~deb13): the packages depend on
# that release's LibTorch and Qt, so a Debian 12 package is not offered to Debian 13.
set(_release "")
if(EXISTS /etc/os-release)
  file(STRINGS /etc/os-release _os REGEX "^VERSION_ID=")
  if(_os MATCHES "VERSION_ID=\"?([0-9]+)")
    set(_release "~deb${CMAKE_MATCH_1}")
  endif()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME scns-workbench)
set(CPACK_PACKAGE_VENDOR "SCNS Workbench developers")
set(CPACK_PACKAGE_CONTACT "SCNS Workbench developers <scns-workbench@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}${_release}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR}/deb)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL scns)
if(TARGET scns-workbench)
  list(APPEND CPACK_COMPONENTS_ALL workbench)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/scnsworkbench/scns-workbench")

# Each package's first description line is its synopsis. CPack (3.25, 3.31) would put the one
# project summary before it unless the summary is CPack's own default, so it is set to that.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_DEBIAN_SCNS_PACKAGE_NAME scns)
set(CPACK_DEBIAN_SCNS_PACKAGE_DEPENDS "dataset-fashion-mnist, wordnet-base")
set(CPACK_DEBIAN_SCNS_PACKAGE_SUGGESTS "scns-workbench")
set(CPACK_DEBIAN_SCNS_DESCRIPTION
"contrastive learning with semantically-conditioned negative sampling
The scns command trains and distils image classifiers with contrastive losses
whose negatives are drawn by semantic similarity (O'Neill and Bollegala):
uniform, top-k similar classes (WordNet, visual or confusion similarity), top-k
similar samples and Latent Mixup pseudo-negatives; Hinton KD, CRD and CRD with
SCNS. Runs, metrics and checkpoints are kept in an SQLite store shared with the
scns-workbench desktop program. Fashion-MNIST works with no download.")

set(CPACK_DEBIAN_WORKBENCH_PACKAGE_NAME scns-workbench)
# The Qt platform plugins (xcb, wayland, offscreen) are a package of their own.
set(CPACK_DEBIAN_WORKBENCH_PACKAGE_DEPENDS
    "scns (= ${CPACK_PACKAGE_VERSION}), qt6-qpa-plugins, hicolor-icon-theme")
set(CPACK_DEBIAN_WORKBENCH_DESCRIPTION
"desktop workbench for semantically-conditioned negative sampling
SCNS Workbench configures negative samplers and knowledge-distillation
settings, launches training runs in the background, plots loss and accuracy
live, shows the class similarity matrix and the negatives that were drawn, and
compares saved experiments across seeds.")

include(CPack)
