"""Ticket-desk roles: who counts as an agent, and what each role may do with tickets."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from config.roles import AGENT, KB_EDITOR, SUPERVISOR

__all__ = ["AGENT", "KB_EDITOR", "SUPERVISOR", "is_agent"]

User = AbstractBaseUser | AnonymousUser


def is_agent(user: User) -> bool:
    """Staff who work tickets. Customers never get `is_staff`."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


# app_label.codename for each role. Supervisors hold everything agents hold.
AGENT_PERMISSIONS = {
    "tickets.view_ticket",
    "tickets.change_ticket",
    "tickets.merge_ticket",
    "tickets.view_customer",
    "tickets.view_team",
    "tickets.view_agentmembership",
    "tickets.view_routingrule",
    "tickets.view_slapolicy",
    "tickets.view_tag",
    "tickets.add_tag",
    "tickets.view_message",
    "tickets.add_message",
    "tickets.view_attachment",
    "tickets.view_ticketevent",
    "tickets.view_satisfactionrating",
}
SUPERVISOR_PERMISSIONS = AGENT_PERMISSIONS | {
    "tickets.view_all_tickets",
    "tickets.delete_ticket",
    "tickets.change_customer",
    "tickets.add_team",
    "tickets.change_team",
    "tickets.add_agentmembership",
    "tickets.change_agentmembership",
    "tickets.delete_agentmembership",
    "tickets.add_routingrule",
    "tickets.change_routingrule",
    "tickets.delete_routingrule",
    "tickets.add_slapolicy",
    "tickets.change_slapolicy",
}
