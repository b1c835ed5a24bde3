"""Reading a migrant's message: skeleton folding, language, topic, dates."""
