# What `cmake --install` puts where, in two components, and the Debian packages CPack
# makes of them (`cpack -G DEB` in the build folder, or deploy/package):
#   loa-controller  daemon, loactl, web console (compiled in), config, systemd unit, user loa
#   loa-agent       daemon, loa-devsim, device profiles and band plans, config, systemd
#                   unit, udev rule for serial ports, user loa-agent
# Maintainer scripts (deploy/debian/*/) create the users and folders; purging removes them.

set(LOA_DEBIAN_DIR "${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian")

# systemd units: lib/systemd/system under /usr is where Debian 12 looks for packaged ones.
install(FILES deploy/systemd/loa-controller.service DESTINATION lib/systemd/system COMPONENT controller)
install(FILES deploy/systemd/loa-agent.service DESTINATION lib/systemd/system COMPONENT agent)
# The packaged configs (a few lines each) and the full examples with every option.
install(FILES "${LOA_DEBIAN_DIR}/controller.yaml" DESTINATION /etc/loa COMPONENT controller)
install(FILES "${LOA_DEBIAN_DIR}/agent.yaml" DESTINATION /etc/loa COMPONENT agent)
install(FILES deploy/controller.yaml README.md DESTINATION share/doc/loa-controller/examples COMPONENT controller)
install(FILES deploy/agent.yaml DESTINATION share/doc/loa-agent/examples COMPONENT agent)
install(FILES README.md DESTINATION share/doc/loa-controller COMPONENT controller)
install(FILES README.md DESTINATION share/doc/loa-agent COMPONENT agent)
if(LOA_BUILD_CONTROLLER)
install(FILES deploy/monitoring/prometheus.yml deploy/monitoring/loa-rules.yml deploy/monitoring/grafana-loa.json
        DESTINATION share/doc/loa-controller/monitoring COMPONENT controller)
endif()
install(FILES "${LOA_DEBIAN_DIR}/60-loa-agent-serial.rules" DESTINATION lib/udev/rules.d COMPONENT agent)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME loa)
set(CPACK_PACKAGE_VENDOR "Loa")
# Each package's description starts with its own summary line, not the project's.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY IGNORE)
set(CPACK_PACKAGE_CONTACT "Loa maintainers <loa@localhost>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
if(LOA_BUILD_CONTROLLER)
  set(CPACK_COMPONENTS_ALL controller agent)
else()
  set(CPACK_COMPONENTS_ALL agent)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # library dependencies from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CONTROLLER_PACKAGE_NAME loa-controller)
set(CPACK_DEBIAN_CONTROLLER_DESCRIPTION "Commune radio controller
 Keeps a district's loudspeaker stations, schedules broadcasts and relays, pushes
 emergency alerts (CAP 1.2) and watches transmitters and amplifiers. Serves the
 operators' web console and HTTP API; loactl is its command-line client.")
# Run-time programs the controller calls: text-to-speech, GStreamer's decoders.
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_DEPENDS "adduser, espeak-ng, gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, libjs-leaflet, libjs-chart.js")
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_RECOMMENDS "gstreamer1.0-plugins-bad, gstreamer1.0-libav")
set(CPACK_DEBIAN_CONTROLLER_PACKAGE_CONTROL_EXTRA
    "${LOA_DEBIAN_DIR}/controller/conffiles;${LOA_DEBIAN_DIR}/controller/postinst;${LOA_DEBIAN_DIR}/controller/prerm;${LOA_DEBIAN_DIR}/controller/postrm")

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME loa-agent)
set(CPACK_DEBIAN_AGENT_DESCRIPTION "Commune radio station agent
 Runs on a loudspeaker station: plays what the district controller sends, on the
 shared clock, and watches the transmitter and amplifier over Modbus (TCP or RS-485).
 Includes loa-devsim, a Modbus device simulator, and the device profiles and band plans.")
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser, gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, gstreamer1.0-alsa")
# A technician checks a new device model against its register map with it (firmware-config/README.md).
set(CPACK_DEBIAN_AGENT_PACKAGE_SUGGESTS "mbpoll")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    "${LOA_DEBIAN_DIR}/agent/conffiles;${LOA_DEBIAN_DIR}/agent/postinst;${LOA_DEBIAN_DIR}/agent/prerm;${LOA_DEBIAN_DIR}/agent/postrm")

include(CPack)
