"""Reception points (điểm cầu): where people join an online reception from (Decree
154/2026 Art 22.3): the unit's central point and its satellite points, each with the
officers who operate it."""
