from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "servicekontor.simulation"
    verbose_name = "Simulation"
