"""appeals.transitions is the one table of what can happen to an appeal: the model's transitions,
the desk's buttons, the decision sets and the customer's timeline all agree with it."""


from appeals.desk.appeal_admin import STAFF_SERVICES
from appeals.models import Appeal
from appeals.transitions import APPROVALS, CUSTOMER_LINES, DECISIONS, STAFF_ACTIONS, Transition


def model_transitions() -> set[str]:
    field = Appeal._meta.get_field("state")
    return {transition.name for transition in field.get_all_transitions(Appeal)}


def test_every_transition_of_the_model_is_in_the_table():
    names = model_transitions()
    assert {"claim", "approve", "reject", "resolve", "overturn_rejection"} <= names  # the walk sees them
    assert names - set(Transition.values) == set()


def test_the_table_names_only_transitions_that_exist_or_that_services_log():
    logged_without_a_state_change = {Transition.SUBMIT, Transition.OVERTURN_APPROVAL, Transition.PLATFORM_SYNCED,
                                      Transition.WAIT_FOR_PLATFORM, Transition.EXTEND_DEADLINE,
                                      Transition.PROPOSE_EXTENSION}
    assert set(Transition.values) - model_transitions() == {str(t) for t in logged_without_a_state_change}


def test_every_transition_has_a_customer_line_and_the_sets_are_drawn_from_the_table():
    assert set(CUSTOMER_LINES) == set(Transition)
    assert APPROVALS <= DECISIONS <= set(Transition)
    assert set(STAFF_ACTIONS) <= model_transitions()
    assert set(STAFF_SERVICES) == set(STAFF_ACTIONS)
