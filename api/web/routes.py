"""The web app's routers, in the order the application includes them."""

from api.web.admin import router as admin
from api.web.board import router as board
from api.web.desks import router as desks
from api.web.intake_page import router as intake_page
from api.web.request_page import router as request_page
from api.web.revisit_desk import router as revisit_desk
from api.web.round_page import router as round_page
from api.web.sign_in import router as sign_in

ROUTERS = (sign_in, board, desks, intake_page, revisit_desk, round_page, request_page, admin)
