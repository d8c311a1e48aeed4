"""The Textual user interface: a thin shell over `oral_sim.engine`."""
