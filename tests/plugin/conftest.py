"""The plugin's own tests run mini suites through pytester (in a subprocess when isolation
matters), the way a user's suite would load the plugin: through its entry point."""

pytest_plugins = ["pytester"]
